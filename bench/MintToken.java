import java.nio.charset.StandardCharsets;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Prints an HS256 access token for the benchmark's JWT target: {@code java bench/MintToken.java SECRET SUBJECT}.
 * Claims as Supabase issues them (sub, role, app_metadata), valid for an hour.
 */
public class MintToken {

	public static void main(String[] args) throws Exception {
		Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
		long exp = System.currentTimeMillis() / 1000 + 3600;
		String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
		String claims = b64.encodeToString(("{\"sub\":\"" + args[1] + "\",\"role\":\"user\",\"app_metadata\":{},\"exp\":" + exp
				+ "}").getBytes(StandardCharsets.UTF_8));
		Mac mac = Mac.getInstance("HmacSHA256");
		mac.init(new SecretKeySpec(args[0].getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
		String signature = b64.encodeToString(mac.doFinal((header + "." + claims).getBytes(StandardCharsets.UTF_8)));
		System.out.println(header + "." + claims + "." + signature);
	}

}
